/* SPDX-License-Identifier: BSD-3-Clause */
/* wire.c -- placeholder until the module lands. */
#include "config.h"
