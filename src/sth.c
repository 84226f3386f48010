/* SPDX-License-Identifier: BSD-3-Clause */
/* sth.c -- placeholder until the module lands. */
#include "config.h"
