/* SPDX-License-Identifier: BSD-3-Clause */
/* server.c -- placeholder until the module lands. */
#include "config.h"
