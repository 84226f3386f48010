/* SPDX-License-Identifier: BSD-3-Clause */
/* fetch.c -- placeholder until the module lands. */
#include "config.h"
