/* ctlog.h -- placeholder until the module lands. */
