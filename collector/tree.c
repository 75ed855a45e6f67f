/*
 * Process tree reconstruction. Quadratic in the number of images, which
 * stays in the thousands for the trees syswho traces.
 */
#include "tree.h"

/* The image NODE replaced by exec: the last earlier image of its pid. */
static long tree_exec_parent(const struct tree_node *n, size_t node)
{
	size_t j;

	for (j = node; j-- > 0;)
		if (n[j].pid == n[node].pid)
			return n[j].execed ? (long)j : -1;
	return -1;
}

/*
 * The image that forked NODE: of the images of its parent pid, the last
 * one started before it (else the last one met before it).
 */
static long tree_fork_parent(const struct tree_node *n, size_t node)
{
	long best = -1, any = -1;
	size_t j;

	for (j = 0; j < node; j++) {
		if (n[j].pid != n[node].ppid)
			continue;
		any = (long)j;
		if (n[j].start_ns <= n[node].start_ns &&
		    (best < 0 || n[j].start_ns >= n[best].start_ns))
			best = (long)j;
	}
	return best >= 0 ? best : any;
}

void tree_link(struct tree_node *n, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		n[i].parent = tree_exec_parent(n, i);
		n[i].by_exec = n[i].parent >= 0;
		if (!n[i].by_exec)
			n[i].parent = tree_fork_parent(n, i);
		n[i].depth = 0;
	}
}

/* Append NODE and, depth first, what came from it. */
static void tree_visit(struct tree_node *n, size_t count, size_t node,
		       int depth, size_t *order, size_t *len)
{
	size_t j;

	n[node].depth = depth;
	order[(*len)++] = node;
	for (j = 0; j < count; j++)
		if (n[j].parent == (long)node)
			tree_visit(n, count, j, depth + 1, order, len);
}

void tree_order(struct tree_node *n, size_t count, size_t *order)
{
	size_t i, len = 0;

	for (i = 0; i < count; i++)
		if (n[i].parent < 0)
			tree_visit(n, count, i, 0, order, &len);
}
