/* A run of plain measValues read in C: the one part of a PM file read per result.
 *
 * `read_plain_run(buf, start, n)` reads, from `start`, as many measValues in the plain form
 * of a measInfo declaring p = 1..n as follow one another, exactly those the pattern of
 * `pm_scan._Plan.plain` matches one after another:
 *
 *     <measValue measObjLdn="OBJECT">WS <r p="1">TEXT</r> WS ... <r p="n">TEXT</r> WS
 *     </measValue> WS
 *
 * (WS: XML's four white-space characters; OBJECT: one or more bytes but `"`, `<`, `&` and C0
 * controls; TEXT: bytes but `<`, `&` and C0 controls other than tab and line feed).
 * It gives (end, objects, values): where the run ends, each measValue's object decoded as
 * UTF-8, and the results as float64 bytes in file order, each read exactly as Python's
 * `float()` reads it. It gives None where the Python reader must decide instead: no
 * measValue there; in a measValue the pattern matches, a result `float()` would not take,
 * or would take with an underscore or beyond 255 bytes; a result or the run's sum not
 * finite; an object not UTF-8. The Python reader then reads the same bytes as before this
 * module existed, so None never changes a row.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

static const char VALUE_START[] = "<measValue measObjLdn=\"";
static const char VALUE_END[] = "</measValue>";
static const char R_START[] = "<r p=\"";
static const char R_END[] = "</r>";

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static Py_ssize_t skip_ws(const char *s, Py_ssize_t i, Py_ssize_t len) {
    while (i < len && is_ws((unsigned char)s[i])) i++;
    return i;
}

static int starts(const char *s, Py_ssize_t i, Py_ssize_t len, const char *lit, Py_ssize_t n) {
    return len - i >= n && memcmp(s + i, lit, (size_t)n) == 0;
}

/* The object's bytes from `i` to the closing quote; -1 if not OBJECT then `">`. */
static Py_ssize_t object_end(const char *s, Py_ssize_t i, Py_ssize_t len) {
    Py_ssize_t j = i;
    while (j < len) {
        unsigned char c = (unsigned char)s[j];
        if (c == '"' || c == '<' || c == '&' || c < 0x20) break;
        j++;
    }
    if (j == i || j + 1 >= len || s[j] != '"' || s[j + 1] != '>') return -1;
    return j;
}

/* Reads TEXT from `i` up to `</r>`: the position of its `<`, or -1. */
static Py_ssize_t text_end(const char *s, Py_ssize_t i, Py_ssize_t len) {
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<') return starts(s, i, len, R_END, 4) ? i : -1;
        if (c == '&' || (c < 0x20 && c != '\t' && c != '\n')) return -1;
        i++;
    }
    return -1;
}

/* One result's TEXT as float(): 1 and the value, 0 when float() would refuse it or read it
 * with an underscore (left to Python), -1 on a Python error. float() strips white space
 * (here only tab, line feed, return and space can occur) and requires the whole rest. */
static int read_number(const char *s, Py_ssize_t a, Py_ssize_t b, char *scratch, double *out) {
    while (a < b && is_ws((unsigned char)s[a])) a++;
    while (b > a && is_ws((unsigned char)s[b - 1])) b--;
    if (a == b || b - a > 255) return 0;
    /* an integer of up to 15 digits is exactly a double: no need for the general parse */
    Py_ssize_t k = a + (s[a] == '-' || s[a] == '+');
    if (k < b && b - k <= 15) {
        long long whole = 0;
        Py_ssize_t j = k;
        while (j < b && s[j] >= '0' && s[j] <= '9') whole = whole * 10 + (s[j++] - '0');
        if (j == b) {
            *out = s[a] == '-' ? -(double)whole : (double)whole;
            return 1;
        }
    }
    memcpy(scratch, s + a, (size_t)(b - a));
    scratch[b - a] = '\0';
    if (memchr(scratch, '_', (size_t)(b - a)) != NULL) return 0;
    char *end = NULL;
    double value = PyOS_string_to_double(scratch, &end, NULL);
    if (value == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) { PyErr_Clear(); return 0; }
        return -1;
    }
    if (end != scratch + (b - a)) return 0;
    *out = value;
    return 1;
}

/* `p">` written to `out`; its length. */
static int position(Py_ssize_t p, char *out) {
    char reversed[24];
    int n = 0;
    do { reversed[n++] = (char)('0' + p % 10); p /= 10; } while (p > 0);
    for (int k = 0; k < n; k++) out[k] = reversed[n - 1 - k];
    out[n] = '"';
    out[n + 1] = '>';
    return n + 2;
}

static PyObject *read_plain_run(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer view;
    Py_ssize_t start, n;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &start, &n)) return NULL;
    const char *s = (const char *)view.buf;
    Py_ssize_t len = view.len, i = start, end = start, count = 0, capacity = 0;
    double *values = NULL, sum = 0.0;
    char scratch[256], digits[24];
    PyObject *objects = PyList_New(0), *result = NULL;
    if (objects == NULL) goto done;
    if (n < 1 || start < 0 || start > len) goto python;
    for (;;) {
        Py_ssize_t at = i, first = count;
        if (!starts(s, at, len, VALUE_START, sizeof VALUE_START - 1)) break;
        at += sizeof VALUE_START - 1;
        Py_ssize_t object = at, object_stop = object_end(s, at, len);
        if (object_stop < 0) break;
        at = object_stop + 2;
        if (capacity < count + n) {
            capacity = 2 * (count + n);
            double *grown = PyMem_Realloc(values, (size_t)capacity * sizeof(double));
            if (grown == NULL) { PyErr_NoMemory(); goto done; }
            values = grown;
        }
        int matched = 1, unreadable = 0;  /* unreadable: a text float() must judge */
        for (Py_ssize_t p = 1; p <= n && matched; p++) {
            at = skip_ws(s, at, len);
            int width = position(p, digits);
            if (!starts(s, at, len, R_START, sizeof R_START - 1)
                    || !starts(s, at + sizeof R_START - 1, len, digits, width)) {
                matched = 0;
                break;
            }
            at += sizeof R_START - 1 + width;
            Py_ssize_t stop = text_end(s, at, len);
            if (stop < 0) { matched = 0; break; }
            int read = read_number(s, at, stop, scratch, &values[count]);
            if (read < 0) goto done;
            if (read == 0) unreadable = 1;
            else count++;
            at = stop + sizeof R_END - 1;
        }
        if (matched) {
            at = skip_ws(s, at, len);
            matched = starts(s, at, len, VALUE_END, sizeof VALUE_END - 1);
        }
        if (!matched) { count = first; break; }  /* the run ends before this measValue */
        if (unreadable) goto python;  /* the pattern matches it: Python decides the run */
        at = skip_ws(s, at + sizeof VALUE_END - 1, len);
        PyObject *name = PyUnicode_DecodeUTF8(s + object, object_stop - object, "strict");
        if (name == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) goto done;
            PyErr_Clear();
            goto python;
        }
        int appended = PyList_Append(objects, name);
        Py_DECREF(name);
        if (appended < 0) goto done;
        for (Py_ssize_t k = first; k < count; k++) sum += values[k];
        i = end = at;
    }
    for (Py_ssize_t k = 0; k < count; k++)
        if (!isfinite(values[k])) goto python;
    if (count == 0 || !isfinite(sum)) goto python;
    PyObject *packed = PyBytes_FromStringAndSize((const char *)values,
                                                 count * (Py_ssize_t)sizeof(double));
    if (packed == NULL) goto done;
    result = Py_BuildValue("nON", end, objects, packed);
    goto done;
python:
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(values);
    Py_XDECREF(objects);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"read_plain_run", read_plain_run, METH_VARARGS,
     "read_plain_run(buf, start, n) -> (end, objects, float64 bytes) or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, .m_name = "_pm_plain", .m_size = -1, .m_methods = methods,
};

PyMODINIT_FUNC PyInit__pm_plain(void) { return PyModule_Create(&module); }
