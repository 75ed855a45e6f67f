/*
 * umem: copies that turn a bad pointer into -EFAULT instead of a fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gate.h"
#include "process.h"
#include "umem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Far from where the loader and the heap put things. */
#define TEST_GATE_ADDR 0x200000000000UL

static long page_size;

/* umem copies through the gate, on the pid syswho believes it has. */
static int gate_setup(void **state)
{
	page_size = sysconf(_SC_PAGESIZE);
	process.pid = (uint32_t)getpid();
	return gate_map(TEST_GATE_ADDR) == 0 ? 0 : -1;
}

/* A page that is certainly not mapped: map one, then give it back. */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(munmap(p, (size_t)page_size), 0);

	return p;
}

static void test_read(void **state)
{
	const char src[] = "the program's bytes";
	char dst[sizeof(src)];

	memset(dst, 0, sizeof(dst));
	assert_int_equal(umem_read(dst, src, sizeof(src)), 0);
	assert_memory_equal(dst, src, sizeof(src));
}

static void test_write(void **state)
{
	const uint64_t value = 0x0123456789abcdefULL;
	uint64_t target = 0;

	assert_int_equal(umem_write(&target, &value, sizeof(value)), 0);
	assert_int_equal(target, value);
}

static void test_zero_length(void **state)
{
	char c = 'x';

	assert_int_equal(umem_read(&c, &c, 0), 0);
	assert_int_equal(umem_write(&c, &c, 0), 0);
	assert_int_equal(c, 'x');
}

static void test_null(void **state)
{
	uint64_t v = 7;

	assert_int_equal(umem_read(&v, NULL, sizeof(v)), -EFAULT);
	assert_int_equal(umem_write(NULL, &v, sizeof(v)), -EFAULT);
	assert_int_equal(v, 7);
}

static void test_unmapped(void **state)
{
	void *gone = unmapped_page();
	uint64_t v = 7;

	assert_int_equal(umem_read(&v, gone, sizeof(v)), -EFAULT);
	assert_int_equal(v, 7);
	assert_int_equal(umem_write(gone, &v, sizeof(v)), -EFAULT);
	assert_int_equal(umem_read(&v, (void *)0xdead00000000UL, 1), -EFAULT);
	assert_int_equal(umem_read(&v, (void *)-4096L, sizeof(v)), -EFAULT);
}

static void test_partly_mapped(void **state)
{
	char *p = mmap(NULL, 2 * (size_t)page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t v = 0;

	assert_true(p != MAP_FAILED);
	assert_int_equal(munmap(p + page_size, (size_t)page_size), 0);

	/* Half of the object is readable: still a fault, as for the kernel. */
	assert_int_equal(umem_read(&v, p + page_size - 4, sizeof(v)), -EFAULT);
	assert_int_equal(umem_write(p + page_size - 4, &v, sizeof(v)), -EFAULT);
	assert_int_equal(umem_read(&v, p + page_size - 8, sizeof(v)), 0);
	munmap(p, (size_t)page_size);
}

static void test_read_only_target(void **state)
{
	uint64_t v = 0x55;
	uint8_t *p = mmap(NULL, (size_t)page_size, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(umem_write(p, &v, sizeof(v)), -EFAULT);
	assert_int_equal(p[0], 0);
	assert_int_equal(umem_read(&v, p, sizeof(v)), 0);
	assert_int_equal(v, 0);
	munmap(p, (size_t)page_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read),
	    cmocka_unit_test(test_write),
	    cmocka_unit_test(test_zero_length),
	    cmocka_unit_test(test_null),
	    cmocka_unit_test(test_unmapped),
	    cmocka_unit_test(test_partly_mapped),
	    cmocka_unit_test(test_read_only_target),
	};

	return cmocka_run_group_tests(tests, gate_setup, NULL);
}
