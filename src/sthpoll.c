/* SPDX-License-Identifier: BSD-3-Clause */
/* sthpoll.c -- placeholder until the module lands. */
#include "config.h"
