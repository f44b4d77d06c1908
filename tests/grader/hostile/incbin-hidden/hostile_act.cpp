// Embeds a hidden test into the binary with the assembler's .incbin and throws its text,
// so that it would appear in the failure of every case that calls primes_threads.
#include <stdexcept>

asm(".section .rodata\n"
    ".global parlab_hostile_embedded\n"
    "parlab_hostile_embedded:\n"
    ".incbin \"@PARLAB_SOURCE@/tests/01-queues/hidden_threads.cpp\"\n"
    ".byte 0\n"
    ".previous\n");
extern "C" const char parlab_hostile_embedded[];

void hostile_act() { throw std::runtime_error(parlab_hostile_embedded); }
