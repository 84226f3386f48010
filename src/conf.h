/* conf.h -- placeholder until the module lands. */
