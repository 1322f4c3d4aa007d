"""Runs before LanQA in the Linux bundle: GTK and WebKit2GTK come from the system."""

import os


def _use_the_system_gtk():
    # The bootloader started this process with LD_LIBRARY_PATH pointing into the bundle,
    # and the dynamic loader has read it already. Programs started from here (WebKit's
    # helper processes, the web browser) get the user's own value back, so they load
    # the system's libraries and not the bundle's.
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original

    # The bundled libgirepository looks for typelibs (Gtk-3.0, WebKit2-4.1...) where the
    # build machine keeps them; other distributions keep them in one of these folders.
    folders = [
        folder
        for folder in (
            "/usr/lib/x86_64-linux-gnu/girepository-1.0",
            "/usr/lib/aarch64-linux-gnu/girepository-1.0",
            "/usr/lib64/girepository-1.0",
            "/usr/lib/girepository-1.0",
            "/usr/local/lib/girepository-1.0",
        )
        if os.path.isdir(folder)
    ]
    if own := os.environ.get("GI_TYPELIB_PATH"):
        folders.insert(0, own)
    if folders:
        os.environ["GI_TYPELIB_PATH"] = os.pathsep.join(folders)


_use_the_system_gtk()
del _use_the_system_gtk
