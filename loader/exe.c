/*
 * Swapping the loader's file-backed pages for anonymous copies, then
 * setting the executable link.
 */
#include "exe.h"

#include "sys.h"

#include <errno.h>
#include <linux/prctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE	     4096UL
#define PAGE_DOWN(x) ((x) & ~(PAGE - 1))
#define PAGE_UP(x)   PAGE_DOWN((x) + PAGE - 1)

extern char syswho_gate_image_start[];
extern char loader_text_start[], loader_text_end[];
extern char loader_data_start[], loader_data_file_end[];

/*
 * Replace [START, END) by an anonymous copy with PROT: mremap swaps it in
 * at once, so code running from these very pages goes on undisturbed.
 */
static long exe_anonymize(uintptr_t start, uintptr_t end, int prot)
{
	size_t len = PAGE_UP(end) - PAGE_DOWN(start);
	long tmp, ret;

	start = PAGE_DOWN(start);
	tmp = gate_call6(SYS_mmap, 0, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp < 0 && tmp > -4096)
		return tmp;
	memcpy((void *)tmp, (void *)start, len);
	gate_call3(SYS_mprotect, tmp, len, prot);
	ret = gate_call6(SYS_mremap, tmp, len, len,
			 MREMAP_MAYMOVE | MREMAP_FIXED, start, 0);
	if (ret < 0 && ret > -4096) {
		gate_call2(SYS_munmap, tmp, len);
		return ret;
	}
	return 0;
}

/* Field N (1-based, as in proc(5)) of /proc/self/stat, or 0. */
static uint64_t exe_stat_field(const char *stat, int n)
{
	const char *p = stat, *close = NULL;
	uint64_t v = 0;
	int field = 3;

	/* The command name may hold anything but ends at the last ')'. */
	for (; *p; p++)
		if (*p == ')')
			close = p;
	if (!close)
		return 0;
	for (p = close + 2; *p && field < n; p++)
		if (*p == ' ')
			field++;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

/*
 * Set the link with PR_SET_MM_MAP, which CAP_CHECKPOINT_RESTORE allows
 * (PR_SET_MM_EXE_FILE would need CAP_SYS_RESOURCE). It resets every
 * field of the memory map, so each is given its current value, but for
 * the command line, which becomes the program's own; without the
 * capability, the command line alone.
 */
static long exe_set_map(int fd, uintptr_t arg_start, uintptr_t arg_end)
{
	struct prctl_mm_map map = {0};
	char stat[1024];
	long n, sfd, ret;

	sfd = gate_call3(SYS_open, "/proc/self/stat", 0, 0);
	if (sfd < 0)
		return sfd;
	n = gate_call3(SYS_read, sfd, stat, sizeof(stat) - 1);
	gate_call1(SYS_close, sfd);
	if (n <= 0)
		return n < 0 ? n : -EIO;
	stat[n] = '\0';

	map.start_code = exe_stat_field(stat, 26);
	map.end_code = exe_stat_field(stat, 27);
	map.start_stack = exe_stat_field(stat, 28);
	map.start_data = exe_stat_field(stat, 45);
	map.end_data = exe_stat_field(stat, 46);
	map.start_brk = exe_stat_field(stat, 47);
	map.brk = (uint64_t)gate_call1(SYS_brk, 0);
	map.arg_start = arg_start ? arg_start : exe_stat_field(stat, 48);
	map.arg_end = arg_start ? arg_end : exe_stat_field(stat, 49);
	map.env_start = exe_stat_field(stat, 50);
	map.env_end = exe_stat_field(stat, 51);
	map.exe_fd = (uint32_t)fd;

	ret = gate_call6(SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, &map, sizeof(map),
			 0, 0);
	/*
	 * Only the link needs the capability; the other fields are anyone's
	 * to set, so the command line is right even where the link is not.
	 * Limitation: without CAP_CHECKPOINT_RESTORE, /proc/self/exe names
	 * the loader.
	 */
	if (ret == -EPERM) {
		map.exe_fd = (uint32_t)-1;
		ret = gate_call6(SYS_prctl, PR_SET_MM, PR_SET_MM_MAP, &map,
				 sizeof(map), 0, 0);
	}
	return ret;
}

int exe_set(int fd, uintptr_t arg_start, uintptr_t arg_end)
{
	long ret;

	ret = exe_anonymize((uintptr_t)syswho_gate_image_start,
			    (uintptr_t)syswho_gate_image_start + PAGE,
			    PROT_READ | PROT_EXEC);
	if (ret == 0)
		ret = exe_anonymize((uintptr_t)loader_text_start,
				    (uintptr_t)loader_text_end,
				    PROT_READ | PROT_EXEC);
	/* Past the page .data ends in, .bss is anonymous already. */
	if (ret == 0)
		ret = exe_anonymize((uintptr_t)loader_data_start,
				    (uintptr_t)loader_data_file_end,
				    PROT_READ | PROT_WRITE);
	if (ret == 0)
		ret = exe_set_map(fd, arg_start, arg_end);
	return (int)ret;
}
