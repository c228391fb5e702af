/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File storage for POSIX hosts: one file per key in a directory. Every write goes to a
 * temporary file that is flushed and then renamed over the old one, so a crash leaves either
 * the old value or the new one, never half of either.
 */
#define _POSIX_C_SOURCE 200809L

#include <meshrpr/storage.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int key_path(const struct meshrpr_storage_file *file, const char *key, const char *suffix,
                    char *path, size_t size)
{
    size_t key_len = strlen(key);
    int n;

    if (key_len == 0 || key_len >= MESHRPR_STORAGE_KEY_MAX) {
        return -EINVAL;
    }
    n = snprintf(path, size, "%s/%s%s", file->dir, key, suffix);
    if (n < 0 || (size_t)n >= size) {
        return -ENAMETOOLONG;
    }
    /* Keys are hierarchical ("net/seq"); flatten them into one directory. */
    for (char *p = path + strlen(file->dir) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '_';
        }
    }
    return 0;
}

static int file_read(void *ctx, const char *key, void *data, size_t size)
{
    char path[320];
    struct stat st;
    int err = key_path(ctx, key, "", path, sizeof(path));
    FILE *f;
    size_t n;

    if (err != 0) {
        return err;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? -ENOENT : -errno;
    }
    if (fstat(fileno(f), &st) != 0 || st.st_size > 0x7fffffff) {
        fclose(f);
        return -EIO;
    }
    n = fread(data, 1, size, f);
    fclose(f);
    if (n < size && n < (size_t)st.st_size) {
        return -EIO;
    }
    return (int)st.st_size;
}

static int file_write(void *ctx, const char *key, const void *data, size_t len)
{
    char path[320];
    char tmp[330];
    int err = key_path(ctx, key, "", path, sizeof(path));
    int fd;

    if (err == 0) {
        err = key_path(ctx, key, ".tmp", tmp, sizeof(tmp));
    }
    if (err != 0) {
        return err;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        return -errno;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            err = -errno;
            close(fd);
            unlink(tmp);
            return err;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        err = -errno;
    }
    if (close(fd) != 0 && err == 0) {
        err = -errno;
    }
    if (err == 0 && rename(tmp, path) != 0) {
        err = -errno;
    }
    if (err != 0) {
        unlink(tmp);
    }
    return err;
}

static int file_erase(void *ctx, const char *key)
{
    char path[320];
    int err = key_path(ctx, key, "", path, sizeof(path));

    if (err != 0) {
        return err;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        return -errno;
    }
    return 0;
}

int meshrpr_storage_file_init(struct meshrpr_storage_file *file, const char *dir)
{
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(file->dir)) {
        return -ENAMETOOLONG;
    }
    memset(file, 0, sizeof(*file));
    memcpy(file->dir, dir, len + 1);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return -errno;
    }
    file->storage.ctx = file;
    file->storage.read = file_read;
    file->storage.write = file_write;
    file->storage.erase = file_erase;
    return 0;
}
