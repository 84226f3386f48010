/* SPDX-License-Identifier: BSD-3-Clause */
/* base32.c -- placeholder until the module lands. */
#include "config.h"
