// glibc's allocator controls: malloc_usable_size (what a block really holds) and malloc_trim
// (give freed memory back to the kernel). fluxiond counts and returns its write buffers with them.
#include <malloc.h>
