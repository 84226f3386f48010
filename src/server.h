/* server.h -- placeholder until the module lands. */
