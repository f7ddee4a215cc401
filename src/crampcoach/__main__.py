from crampcoach.cli import main

main()
