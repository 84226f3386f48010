/* store.h -- placeholder until the module lands. */
