from antitrust.cli import main

main()
