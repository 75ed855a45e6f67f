/*
 * The process tree of a profile: which image each process image came from,
 * by exec (same pid, the previous image) or by fork (the image its parent
 * pid was running when it started).
 */
#ifndef SYSWHO_TREE_H
#define SYSWHO_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tree_node {
	/* In: one per process image, in the order the collector met them. */
	uint32_t pid, ppid;
	uint64_t start_ns;
	bool execed; /* this image was replaced by execve */
	/* Out. */
	long parent; /* index of the image it came from, -1 for a root */
	bool by_exec;
	int depth;
};

/* Link every node to where it came from. */
void tree_link(struct tree_node *n, size_t count);

/*
 * Write the nodes' indices to ORDER (COUNT entries) depth first, children
 * in the order they were met, and set each node's depth.
 */
void tree_order(struct tree_node *n, size_t count, size_t *order);

#endif
