window.YTD.deleted_tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1051280000000000005"
          ],
          "editableUntil" : "2018-10-09T17:11:04.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "19"
      ],
      "favorite_count" : "0",
      "id_str" : "1051280000000000005",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1051280000000000005",
      "created_at" : "Sat Oct 13 18:00:00 +0000 2018",
      "favorited" : false,
      "full_text" : "a tweet I took down",
      "lang" : "en",
      "deleted_at" : "Sun Oct 14 09:00:00 +0000 2018"
    }
  }
]