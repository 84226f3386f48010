/* SPDX-License-Identifier: BSD-3-Clause */
/* zone.c -- placeholder until the module lands. */
#include "config.h"
