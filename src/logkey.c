/* SPDX-License-Identifier: BSD-3-Clause */
/* logkey.c -- placeholder until the module lands. */
#include "config.h"
