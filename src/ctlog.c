/* SPDX-License-Identifier: BSD-3-Clause */
/* ctlog.c -- placeholder until the module lands. */
#include "config.h"
