from foorumi.cli import main

main()
