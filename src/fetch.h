/* fetch.h -- placeholder until the module lands. */
