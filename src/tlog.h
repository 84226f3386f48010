/* tlog.h -- placeholder until the module lands. */
