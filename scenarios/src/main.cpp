#include <cstdio>
int main() { std::puts("hyseis: CLI under construction"); return 1; }
