from antitrust.console import main

main()
