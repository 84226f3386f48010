/* answer.h -- placeholder until the module lands. */
