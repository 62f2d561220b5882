"""The clinic's portal settings (versioned) and their page."""
