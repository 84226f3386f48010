/* SPDX-License-Identifier: BSD-3-Clause */
/* tlog.c -- placeholder until the module lands. */
#include "config.h"
