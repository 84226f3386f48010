/* base64.h -- placeholder until the module lands. */
