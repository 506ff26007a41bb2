/*
 * _linescan: pick, from a CSV file's bytes, the lines a reader must parse to keep one area's rows.
 *
 * A data.police.uk force file holds every partnership of the force; one partnership keeps about a
 * seventh of its rows. Parsing every row to throw six sevenths away is most of the cost of reading
 * it. This scanner looks at each line's small-area (LSOA) code field without parsing the line, and
 * copies into `out` the header and the lines the parser must still see:
 *
 *   - lines whose code is one of the wanted codes (a 0/1 table indexed by the code, see below);
 *   - every line it cannot classify for certain: a line holding a double quote, a carriage return
 *     that does not end the line, a number of fields other than the header's, or a code field that
 *     is neither empty nor a well-formed code (spaces, malformed codes: the parser names these).
 *
 * Every other data line is counted, not copied: an empty code field ("no LSOA code", which the
 * parser reads as null) or a well-formed code that is not wanted ("outside area"). The caller parses
 * `out` with the same parser and rules as a whole file, so the rows kept and every error are those
 * of a whole-file read; it falls back to parsing the whole file when anything does not add up.
 *
 * A well-formed code is exactly what schemas.LSOA_CODE_PATTERN accepts, ^(E01|W01|X01)\d{6}$: a
 * letter whose slot (0..2) `slot` gives (255: not a code letter), "01", six ASCII digits. The
 * table has one byte per (slot, six digits): table[slot * 1000000 + digits].
 *
 * Lines are split at LF (a CR before the LF belongs to it); empty lines are skipped, as the parser
 * skips them. Data rows are numbered from 0 after the first non-empty line (the header); `rows`
 * receives the number of each copied data line, for the caller's error messages.
 *
 * Structural bytes (comma, LF, quote, CR) are found 64 bytes at a time (SSE2 where available).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* LINESCAN_PORTABLE: build the plain C byte loop even where SSE2 exists (the tests build it that way
   too, so the code path of other processors, e.g. ARM, is checked on x86-64 as well). */
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(LINESCAN_PORTABLE)
#include <emmintrin.h>
#define LINESCAN_SSE2 1
#endif

/* The scanning loops are built twice where the compiler and loader can (GCC/Clang, x86-64 Linux):
   for any x86-64 CPU, and for x86-64-v3 CPUs (AVX2, BMI, POPCNT: most since 2013), chosen when loaded. */
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && !defined(LINESCAN_PORTABLE)
#define LINESCAN_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define LINESCAN_CLONES
#endif

static inline int ctz64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(x);
#else
    int n = 0;
    while (!(x & 1)) { x >>= 1; n++; }
    return n;
#endif
}

static inline int popcount64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(x);
#else
    int n = 0;
    while (x) { x &= x - 1; n++; }
    return n;
#endif
}

/* Bit k of each mask is set when byte p[k] is a comma / an LF / a double quote / a CR. Quotes and
   CRs are rare (a CR ends each line of a CRLF file): one test finds whether the block has any. */
static inline void masks64(const unsigned char *p, uint64_t *comma, uint64_t *lf, uint64_t *quote,
                           uint64_t *cr) {
    uint64_t c = 0, n = 0, rare = 0, q = 0, r = 0;
#ifdef LINESCAN_SSE2
    const __m128i vc = _mm_set1_epi8(','), vn = _mm_set1_epi8('\n');
    const __m128i vq = _mm_set1_epi8('"'), vr = _mm_set1_epi8('\r');
    __m128i v[4], odd = _mm_setzero_si128();
    for (int k = 0; k < 4; k++) {
        v[k] = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[k], vc)) << (16 * k);
        n |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[k], vn)) << (16 * k);
        odd = _mm_or_si128(odd, _mm_or_si128(_mm_cmpeq_epi8(v[k], vq), _mm_cmpeq_epi8(v[k], vr)));
    }
    rare = (uint64_t)_mm_movemask_epi8(odd);
#else
    for (int k = 0; k < 64; k++) {
        unsigned char ch = p[k];
        c |= (uint64_t)(ch == ',') << k;
        n |= (uint64_t)(ch == '\n') << k;
        rare |= (uint64_t)(ch == '"' || ch == '\r');
    }
#endif
    if (rare) {
        for (int k = 0; k < 64; k++) {
            q |= (uint64_t)(p[k] == '"') << k;
            r |= (uint64_t)(p[k] == '\r') << k;
        }
    }
    *comma = c; *lf = n; *quote = q; *cr = r;
}

typedef struct {
    const unsigned char *b;
    Py_ssize_t n;
    int field, ncommas;
    const unsigned char *slot, *table;
    unsigned char *out;
    Py_ssize_t out_len;
    int64_t *rows;
    Py_ssize_t rows_cap, kept, row;
    int64_t blank, outside, complex, unsure_codes;
    int unsure; /* a line the scanner cannot split as the parser would: the caller parses it all */
} scan_t;

/* 0: counted, not copied (an empty code field, or a well-formed code that is not wanted);
   1: copied, a wanted code; 2: copied, a code field the parser must judge (spaces, malformed). */
static inline int must_parse(scan_t *st, Py_ssize_t fs, Py_ssize_t fe) {
    Py_ssize_t w = fe - fs;
    if (w == 0) { st->blank++; return 0; }
    if (w != 9) return 2;
    const unsigned char *f = st->b + fs;
    int slot = st->slot[f[0]];
    if (slot == 255 || f[1] != '0' || f[2] != '1') return 2;
    long digits = 0;
    for (int j = 3; j < 9; j++) {
        unsigned d = (unsigned)f[j] - '0';
        if (d > 9) return 2;
        digits = digits * 10 + (long)d;
    }
    if (st->table[(long)slot * 1000000L + digits]) return 1;
    st->outside++;
    return 0;
}

/* The line [s, lf) ends (lf: its LF, or n at the end of the data); `quotes` counts its quotes. */
static inline void end_line(scan_t *st, Py_ssize_t s, Py_ssize_t lf, int commas, int quotes,
                            Py_ssize_t fs, Py_ssize_t fe) {
    Py_ssize_t e = lf;
    if (e > s && st->b[e - 1] == '\r') e--; /* CRLF */
    if (e == s) return;                     /* an empty line: skipped, as the parser skips it */
    if (quotes & 1) {                       /* a quoted value may run over the LF */
        st->unsure = 1;
        return;
    }
    Py_ssize_t row = st->row++;
    int copy;
    if (row < 0) copy = 1; /* the header */
    else if (quotes || commas != st->ncommas) { copy = 1; st->complex++; }
    else {
        copy = must_parse(st, fs, fe < 0 ? e : fe);
        if (copy == 2) st->unsure_codes++;
    }
    if (!copy) return;
    if (row >= 0) {
        if (st->kept < st->rows_cap) st->rows[st->kept] = (int64_t)row;
        st->kept++;
    }
    memcpy(st->out + st->out_len, st->b + s, (size_t)(lf - s));
    st->out_len += lf - s;
    st->out[st->out_len++] = '\n';
}

LINESCAN_CLONES static void scan(scan_t *st) {
    const unsigned char *b = st->b;
    const Py_ssize_t n = st->n;
    const int field = st->field;
    Py_ssize_t s = 0, fs = field == 0 ? 0 : -1, fe = -1;
    int commas = 0, quotes = 0;
    unsigned char tail[64];
    for (Py_ssize_t i = 0; i < n; i += 64) {
        uint64_t mc, mn, mq, mr;
        if (i + 64 <= n) {
            masks64(b + i, &mc, &mn, &mq, &mr);
        } else {
            memset(tail, 0, sizeof tail);
            memcpy(tail, b + i, (size_t)(n - i));
            masks64(tail, &mc, &mn, &mq, &mr);
            mn |= (uint64_t)1 << (n - i); /* a virtual LF at the end of the data */
        }
        if (mr) {
            /* a CR not followed by an LF ends a row for the parser but not for this scanner */
            uint64_t lone = mr & ~(mn >> 1);
            if ((lone >> 63) && i + 64 < n && b[i + 64] == '\n') lone &= ~((uint64_t)1 << 63);
            if (lone) { st->unsure = 1; return; }
        }
        for (;;) {
            uint64_t next = mn & (~mn + 1); /* the next LF's bit, or 0 */
            uint64_t before = next ? next - 1 : ~(uint64_t)0;
            uint64_t cc = mc & before;
            quotes += popcount64(mq & before);
            if (cc) {
                int pc = popcount64(cc);
                if (fe < 0 && commas + pc >= field) {
                    uint64_t t = cc;
                    if (fs < 0) { /* the field starts after comma number `field` */
                        for (int k = commas + 1; k < field; k++) t &= t - 1;
                        fs = i + ctz64(t) + 1;
                        t &= t - 1;
                    }
                    if (t) fe = i + ctz64(t); /* and ends at the next comma */
                }
                commas += pc;
            }
            if (!next) break;
            Py_ssize_t lf = i + ctz64(next);
            if (lf > n) lf = n;
            end_line(st, s, lf, commas, quotes, fs, fe);
            if (st->unsure || lf >= n) return;
            s = lf + 1;
            commas = 0; quotes = 0; fe = -1; fs = field == 0 ? s : -1;
            mc &= ~(before | next);
            mq &= ~(before | next);
            mn &= mn - 1;
        }
    }
    if (s < n) end_line(st, s, n, commas, quotes, fs, fe);
}

PyDoc_STRVAR(select_doc,
"select_lines(data, field, ncommas, slot, table, out, rows)\n"
"    -> (out_len, kept, data_rows, blank, outside, complex, unsure_codes)\n"
"or None when a line cannot be split as the parser would (a lone CR, an odd number of quotes).\n\n"
"Copy into `out` the header and the lines the parser must see (see the module source). `out` must\n"
"hold len(data) + 2 bytes; `rows` (int64) receives the data-row number of each copied line, up to\n"
"its length: `kept` larger than len(rows) means call again with a larger `rows`. `complex` counts\n"
"the copied lines holding quotes or another number of fields than the header (see split_columns),\n"
"`unsure_codes` the copied simple lines whose code field is neither empty, nor a well-formed code:\n"
"when both are 0, every copied line holds a wanted code.");

static PyObject *select_lines(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer data, slot, table, out, rows;
    int field, ncommas;
    if (!PyArg_ParseTuple(args, "y*iiy*y*w*w*", &data, &field, &ncommas, &slot, &table, &out, &rows))
        return NULL;
    PyObject *result = NULL;
    if (slot.len != 256 || table.len < 3 * 1000000 || out.len < data.len + 2 || field < 0 ||
        ncommas < field || rows.itemsize != 8) {
        PyErr_SetString(PyExc_ValueError, "select_lines: bad argument sizes");
        goto done;
    }
    scan_t st;
    memset(&st, 0, sizeof st);
    st.b = (const unsigned char *)data.buf;
    st.n = data.len;
    st.field = field;
    st.ncommas = ncommas;
    st.slot = (const unsigned char *)slot.buf;
    st.table = (const unsigned char *)table.buf;
    st.out = (unsigned char *)out.buf;
    st.rows = (int64_t *)rows.buf;
    st.rows_cap = rows.len / 8;
    st.row = -1;
    Py_BEGIN_ALLOW_THREADS
    scan(&st);
    Py_END_ALLOW_THREADS
    if (st.unsure) {
        result = Py_None;
        Py_INCREF(result);
        goto done;
    }
    result = Py_BuildValue("nnnLLLL", st.out_len, st.kept, st.row < 0 ? (Py_ssize_t)0 : st.row,
                           (long long)st.blank, (long long)st.outside, (long long)st.complex,
                           (long long)st.unsure_codes);
done:
    PyBuffer_Release(&data);
    PyBuffer_Release(&slot);
    PyBuffer_Release(&table);
    PyBuffer_Release(&out);
    PyBuffer_Release(&rows);
    return result;
}


/*
 * split_columns: the string columns of `nrows` simple CSV lines (no quotes, exactly `ncols` fields;
 * a CR before the LF belongs to the line end), from byte `start` of `data`, as Arrow buffers. This is
 * what the parser makes of such lines: every field as it stands, an empty field null. Used on the
 * lines select_lines copies when none of them is complex, instead of the general parser.
 */
PyDoc_STRVAR(split_doc,
"split_columns(data, start, nrows, ncols) -> [(validity or None, offsets, values, nulls), ...] or None\n\n"
"Arrow string-array buffers (int32 offsets) of each column of `nrows` simple lines from byte `start`;\n"
"None when the lines are not `nrows` lines of exactly `ncols` fields.");

LINESCAN_CLONES static PyObject *split_columns(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer data;
    Py_ssize_t start, nrows;
    int ncols;
    if (!PyArg_ParseTuple(args, "y*nni", &data, &start, &nrows, &ncols)) return NULL;
    PyObject *result = NULL, *list = NULL;
    Py_ssize_t *bounds = NULL, *lens = NULL, *nulls = NULL;
    char **obuf = NULL, **vbuf = NULL;
    unsigned char **mbuf = NULL;
    if (ncols < 1 || nrows < 0 || start < 0 || start > data.len || data.len > 0x7fffffffL) {
        PyErr_SetString(PyExc_ValueError, "split_columns: bad arguments");
        goto done;
    }
    const Py_ssize_t stride = (Py_ssize_t)ncols + 1;
    bounds = PyMem_RawMalloc(sizeof(Py_ssize_t) * (size_t)(nrows * stride + 1));
    lens = PyMem_RawCalloc((size_t)ncols, sizeof(Py_ssize_t));
    nulls = PyMem_RawCalloc((size_t)ncols, sizeof(Py_ssize_t));
    if (!bounds || !lens || !nulls) { PyErr_NoMemory(); goto done; }
    int ok = 1;
    const unsigned char *b = (const unsigned char *)data.buf;
    const Py_ssize_t n = data.len;
    Py_BEGIN_ALLOW_THREADS
    /* bounds[r * stride + j]: where field j of line r starts; bounds[r * stride + ncols]: one past its
       end (so field j is [bounds[j], bounds[j + 1] - 1)). */
    Py_ssize_t r = 0, s = start;
    int f = 0;
    unsigned char tail[64];
    if (nrows > 0) bounds[0] = start;
    for (Py_ssize_t i = start; i < n && ok && r < nrows; i += 64) {
        uint64_t mc, mn, mq, mr;
        if (i + 64 <= n) masks64(b + i, &mc, &mn, &mq, &mr);
        else {
            memset(tail, 0, sizeof tail);
            memcpy(tail, b + i, (size_t)(n - i));
            masks64(tail, &mc, &mn, &mq, &mr);
        }
        if (mq) { ok = 0; break; }
        uint64_t m = mc | mn;
        while (m) {
            Py_ssize_t pos = i + ctz64(m);
            if (b[pos] == ',') {
                if (++f >= ncols) { ok = 0; break; }
                bounds[r * stride + f] = pos + 1;
            } else { /* LF */
                Py_ssize_t e = pos;
                if (e > s && b[e - 1] == '\r') e--;
                if (f != ncols - 1 || e == s) { ok = 0; break; }
                bounds[r * stride + ncols] = e + 1;
                r++;
                f = 0;
                s = pos + 1;
                if (r == nrows) break;
                bounds[r * stride] = s;
            }
            m &= m - 1;
        }
    }
    if (r != nrows) ok = 0;
    if (ok) {
        for (Py_ssize_t k = 0; k < nrows; k++) {
            const Py_ssize_t *row = bounds + k * stride;
            for (int j = 0; j < ncols; j++) {
                Py_ssize_t w = row[j + 1] - 1 - row[j];
                lens[j] += w;
                if (w == 0) nulls[j]++;
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (!ok) { result = Py_None; Py_INCREF(result); goto done; }
    for (int j = 0; j < ncols; j++) {
        if (lens[j] > 0x7fffffffL) { result = Py_None; Py_INCREF(result); goto done; }
    }
    list = PyList_New(ncols);
    obuf = PyMem_RawCalloc((size_t)ncols, sizeof(char *));
    vbuf = PyMem_RawCalloc((size_t)ncols, sizeof(char *));
    mbuf = PyMem_RawCalloc((size_t)ncols, sizeof(unsigned char *));
    if (!list || !obuf || !vbuf || !mbuf) { PyErr_NoMemory(); goto done; }
    for (int j = 0; j < ncols; j++) {
        PyObject *offsets = PyBytes_FromStringAndSize(NULL, (nrows + 1) * 4);
        PyObject *values = PyBytes_FromStringAndSize(NULL, lens[j]);
        PyObject *valid = nulls[j] ? PyBytes_FromStringAndSize(NULL, (nrows + 7) / 8) : Py_None;
        if (valid == Py_None) Py_INCREF(valid);
        if (!offsets || !values || !valid) {
            Py_XDECREF(offsets); Py_XDECREF(values); Py_XDECREF(valid);
            goto done;
        }
        obuf[j] = PyBytes_AS_STRING(offsets);
        vbuf[j] = PyBytes_AS_STRING(values);
        mbuf[j] = nulls[j] ? (unsigned char *)PyBytes_AS_STRING(valid) : NULL;
        if (mbuf[j]) memset(mbuf[j], 0, (size_t)(nrows + 7) / 8);
        PyObject *item = Py_BuildValue("(NNNn)", valid, offsets, values, nulls[j]);
        if (!item) goto done;
        PyList_SET_ITEM(list, j, item);
    }
    Py_BEGIN_ALLOW_THREADS
    for (int j = 0; j < ncols; j++) {
        int32_t *off = (int32_t *)obuf[j];
        char *out = vbuf[j];
        unsigned char *mask = mbuf[j];
        int32_t at = 0;
        off[0] = 0;
        for (Py_ssize_t k = 0; k < nrows; k++) {
            const Py_ssize_t *row = bounds + k * stride;
            Py_ssize_t w = row[j + 1] - 1 - row[j];
            if (w) memcpy(out + at, b + row[j], (size_t)w);
            at += (int32_t)w;
            off[k + 1] = at;
            if (mask && w) mask[k >> 3] |= (unsigned char)(1u << (k & 7));
        }
    }
    Py_END_ALLOW_THREADS
    result = list;
    list = NULL;
done:
    Py_XDECREF(list);
    PyMem_RawFree(bounds);
    PyMem_RawFree(lens);
    PyMem_RawFree(nulls);
    PyMem_RawFree(obuf);
    PyMem_RawFree(vbuf);
    PyMem_RawFree(mbuf);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef methods[] = {
    {"select_lines", select_lines, METH_VARARGS, select_doc},
    {"split_columns", split_columns, METH_VARARGS, split_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_linescan",
    "Pick a CSV file's lines to parse for one area's rows (C speed-up for sources.police_uk).",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__linescan(void) { return PyModule_Create(&module); }
