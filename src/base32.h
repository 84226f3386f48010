/* base32.h -- placeholder until the module lands. */
