window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "owner@example.org",
      "createdVia" : "web",
      "username" : "archive_owner",
      "accountId" : "4455667788",
      "createdAt" : "2012-03-01T10:00:00.000Z",
      "accountDisplayName" : "Archive Owner"
    }
  }
]