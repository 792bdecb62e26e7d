/* husk: linux.mountLabel on the filesystems made for the container.
 *
 * runc's choice, which husk keeps: every filesystem made fresh gets the
 * label as its `context` option (tmpfs, devpts, the tmpfs of a masked
 * directory or of cgroup v1's tree, any other type), except proc and sysfs,
 * which keep the kernel's labels, cgroupfs, and mqueue, which takes no
 * `context`: with SELinux enabled its root is labelled through its
 * security.selinux attribute instead.  Binds keep their source's labels.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "rootfs/rootfs-internal.h"
#include "util/cleanup.h"

/* linux.mountLabel, or NULL. */
static const char *mount_label(const husk_rootfs_ctx_t *ctx)
{
	const char *label = ctx->cfg->linux_ != NULL ? ctx->cfg->linux_->mount_label : NULL;

	return label != NULL && label[0] != '\0' ? label : NULL;
}

int husk_mnt_new_labelled(const husk_rootfs_ctx_t *ctx, const char *type, const char *source,
			  char *const *opts, uint64_t attrs, husk_error_t *err)
{
	return husk_mnt_new_label(type, source, opts, mount_label(ctx), ctx->o->selinux, attrs,
				  err);
}

/* Without SELinux, nothing: runc does not label it either. */
static int label_mqueue(const husk_rootfs_ctx_t *ctx, int mfd, husk_error_t *err)
{
	const char *label = mount_label(ctx);
	_cleanup_close_ int fd = -1;

	if (label == NULL || !ctx->o->selinux) {
		return 0;
	}
	fd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsetxattr(fd, "security.selinux", label, strlen(label), 0) < 0) {
		return husk_error_errno(err, "linux.mountLabel `%s`: label the mqueue", label);
	}
	return 0;
}

static bool type_is(const husk_mount_t *m, const char *type)
{
	return m->type != NULL && strcmp(m->type, type) == 0;
}

int husk_mnt_new_config(husk_rootfs_ctx_t *ctx, const husk_mount_t *m, const husk_mount_flags_t *f,
			husk_error_t *err)
{
	const char *source = m->source != NULL ? m->source : m->type;
	int mfd;

	if (type_is(m, "proc") || type_is(m, "sysfs")) {
		return husk_mnt_new(m->type, source, f->fs_options, f->attr_set, err);
	}
	if (!type_is(m, "mqueue")) {
		return husk_mnt_new_labelled(ctx, m->type, source, f->fs_options, f->attr_set, err);
	}
	mfd = husk_mnt_new(m->type, source, f->fs_options, f->attr_set, err);
	if (mfd >= 0 && label_mqueue(ctx, mfd, err) < 0) {
		mfd = husk_safe_close(mfd);
	}
	return mfd;
}
