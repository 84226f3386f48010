/* ctq.h -- placeholder until the module lands. */
