/* SPDX-License-Identifier: BSD-3-Clause */
/* ctq.c -- placeholder until the module lands. */
#include "config.h"
