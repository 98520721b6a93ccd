/* durable.c: see durable.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "durable.h"

bool
md_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool
md_sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		return false;
	if (fsync(fd) == 0) {
		close(fd);
		return true;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return false;
}
