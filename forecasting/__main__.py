from forecasting.cli.main import main

main()
