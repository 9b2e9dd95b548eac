"""The command line, ``python -m analytics COMMAND``: the argparse entry and the commands every domain registers."""
