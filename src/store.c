/* SPDX-License-Identifier: BSD-3-Clause */
/* store.c -- placeholder until the module lands. */
#include "config.h"
