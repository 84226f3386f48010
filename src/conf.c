/* SPDX-License-Identifier: BSD-3-Clause */
/* conf.c -- placeholder until the module lands. */
#include "config.h"
