/* sthpoll.h -- placeholder until the module lands. */
