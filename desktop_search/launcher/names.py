"""The service's names on the bus, shared by the service and the files that announce it."""

BUS_NAME = "io.github.desktopsearch.Launcher"
GNOME_PATH = "/io/github/desktopsearch/SearchProvider"
KRUNNER_PATH = "/krunner"
