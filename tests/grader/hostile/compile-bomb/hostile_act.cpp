// A template bomb: 2^26 distinct instantiations. The compiler holds every one of them and
// would grow by gigabytes for minutes; the grader must stop it at its compile limits.
template <int Depth, long Index>
struct Bomb {
  static constexpr long value = Bomb<Depth - 1, 2 * Index>::value + Bomb<Depth - 1, 2 * Index + 1>::value;
};
template <long Index>
struct Bomb<0, Index> {
  static constexpr long value = Index;
};

void hostile_act() {
  volatile long sink = Bomb<26, 1>::value;
  (void)sink;
}
