window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "4455667788-99",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "99",
            "reactions" : [],
            "urls" : [],
            "text" : "PRIVATE-DM-TEXT do not store",
            "mediaUrls" : [],
            "senderId" : "4455667788",
            "id" : "1051290000000000000",
            "createdAt" : "2018-10-13T19:00:00.000Z"
          }
        }
      ]
    }
  }
]