#!/usr/bin/python3
"""Prints the X window that has the input focus (hex id) on $DISPLAY, via libX11 (ctypes).

WebDriver cannot tell whether the native window is focused; the app asks GTK, which follows
the X server's input focus."""
import ctypes
import sys

x = ctypes.cdll.LoadLibrary("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XGetInputFocus.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int)]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
d = x.XOpenDisplay(None)
if not d:
    sys.exit("cannot open the display")
win, revert = ctypes.c_ulong(), ctypes.c_int()
x.XGetInputFocus(d, ctypes.byref(win), ctypes.byref(revert))
print(hex(win.value))
x.XCloseDisplay(d)
