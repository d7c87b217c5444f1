"""The desktop launchers' search service (GNOME Shell, KRunner): headless, no Qt."""
