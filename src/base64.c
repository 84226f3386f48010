/* SPDX-License-Identifier: BSD-3-Clause */
/* base64.c -- placeholder until the module lands. */
#include "config.h"
