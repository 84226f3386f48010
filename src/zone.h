/* zone.h -- placeholder until the module lands. */
