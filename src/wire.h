/* wire.h -- placeholder until the module lands. */
