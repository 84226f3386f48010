/* SPDX-License-Identifier: BSD-3-Clause */
/* answer.c -- placeholder until the module lands. */
#include "config.h"
