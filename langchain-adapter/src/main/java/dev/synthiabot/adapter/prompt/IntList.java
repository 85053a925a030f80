package dev.synthiabot.adapter.prompt;

import java.util.Arrays;

/** A growable list of ints (token ids) without boxing. */
public final class IntList {
    private int[] a;
    private int size;

    public IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    public void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[size++] = v;
    }

    public void addAll(int[] vs) {
        if (size + vs.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, size + vs.length));
        System.arraycopy(vs, 0, a, size, vs.length);
        size += vs.length;
    }

    public int get(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i);
        return a[i];
    }

    public int size() {
        return size;
    }

    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) throw new IndexOutOfBoundsException(newSize);
        size = newSize;
    }

    public int[] toArray() {
        return Arrays.copyOf(a, size);
    }

    /** Length of the common prefix of this list and {@code other}. */
    public int commonPrefix(int[] other) {
        int n = Math.min(size, other.length);
        int i = 0;
        while (i < n && a[i] == other[i]) i++;
        return i;
    }
}
